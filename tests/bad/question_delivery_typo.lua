-- expect: question_delivery_typo.lua:2: chainsim.new 'question_delivery'
local sim = chainsim.new{ question_delivery = "registrations" }
