-- expect: expect_no_text.lua:4: expect 'text': expected a string describing the expectation, got nil
local sim = chainsim.new{}
sim:run{ duration = "1m" }
sim:expect(true)
