-- expect: download_retry_max_below_retry.lua:2: chainsim.new 'download_retry_max': expected at least download_retry (5m), got 2m
local sim = chainsim.new{ download_retry = "5m", download_retry_max = "2m" }
