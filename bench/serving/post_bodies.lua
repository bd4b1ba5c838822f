-- wrk script: POSTs JSON bodies read from $BODIES_FILE (one body per line), in rotation, so the
-- server scores different products rather than one request over and over. Requests are
-- formatted once at start-up: per-request work in the client would eat the CPU the server
-- needs on a small machine.
local bodies = {}
local file = assert(io.open(os.getenv("BODIES_FILE"), "r"))
for line in file:lines() do
  if #line > 0 then bodies[#bodies + 1] = line end
end
file:close()
assert(#bodies > 0, "no bodies in " .. os.getenv("BODIES_FILE"))

local requests = {}
local counter = 0

init = function(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", nil, nil, body)
  end
end

request = function()
  counter = counter + 1
  if counter > #requests then counter = 1 end
  return requests[counter]
end
