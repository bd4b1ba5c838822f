-- wrk script: POSTs JSON bodies read from $BODIES_FILE (one body per line), in rotation, so the
-- server scores different products rather than one cached-looking request.
local bodies = {}
local file = assert(io.open(os.getenv("BODIES_FILE"), "r"))
for line in file:lines() do
  if #line > 0 then bodies[#bodies + 1] = line end
end
file:close()
assert(#bodies > 0, "no bodies in " .. os.getenv("BODIES_FILE"))

local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])
end
