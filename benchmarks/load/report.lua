-- wrk script of the load harness.
--
-- With arguments (wrk ... -s report.lua URL -- IDS LAYOUT), every request asks for a file picked
-- at random from IDS (one id a line), below the path of URL: LAYOUT "files" appends the id
-- (Keyhole's /files/<id>), "tree" the id's place in a tree of depth 4 (<a>/<b>/<c>/<d>/<id>, for
-- nginx and the DefaultServlets). The headers given with -H go with every request.
--
-- When wrk is done, prints one machine-readable line: requests, bytes, duration (µs), p50 and
-- p99 latency (µs), and errors of every kind (non-2xx/3xx answers included).

local threads = 0
local requests = nil

setup = function(thread)
   threads = threads + 1
   thread:set("seed", threads)
end

init = function(args)
   if #args < 2 then
      requests = { wrk.format() }
      return
   end
   -- each thread its own sequence: seeded from the clock and its number
   math.randomseed(os.time() * 100 + (seed or 0))
   requests = {}
   for id in io.lines(args[1]) do
      local path
      if args[2] == "tree" then
         path = wrk.path .. id:sub(1, 1) .. "/" .. id:sub(2, 2) .. "/" .. id:sub(3, 3) .. "/" .. id:sub(4, 4) .. "/" .. id
      else
         path = wrk.path .. id
      end
      -- formatted once here, so that a request costs wrk no more than a fixed one would
      requests[#requests + 1] = wrk.format(nil, path)
   end
end

request = function()
   return requests[math.random(#requests)]
end

done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.bytes, summary.duration,
      latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
