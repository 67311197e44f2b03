-- POSTs a urlencoded form to each of PATHS (space-separated) in turn, so the
-- connections spread over many tickets; FORM and COOKIE as in post.lua.
local paths = {}
for p in string.gmatch(os.getenv("PATHS") or "", "%S+") do
  paths[#paths + 1] = p
end
local next_path = 0
local form = os.getenv("FORM")
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = os.getenv("COOKIE"),
}

function request()
  next_path = next_path % #paths + 1
  return wrk.format("POST", paths[next_path], headers, form)
end
