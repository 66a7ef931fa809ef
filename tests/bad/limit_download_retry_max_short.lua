-- expect: limit_download_retry_max_short.lua:2: chainsim.new 'download_retry_max': expected a duration between 10s and 168h, got "1s"
local sim = chainsim.new{ download_retry_max = "1s" }
