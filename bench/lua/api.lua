-- Calls the JSON API with a token: METHOD (GET), TOKEN and, for writes,
-- BODY (JSON) come from the environment (bench/run fills them).
wrk.method = os.getenv("METHOD") or "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local body = os.getenv("BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
