-- GETs with the session cookie from the environment (may be empty).
local cookie = os.getenv("COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
-- ACCEPT_ENCODING="br, gzip" asks for compressed pages, as a browser does.
local encoding = os.getenv("ACCEPT_ENCODING")
if encoding and encoding ~= "" then
  wrk.headers["Accept-Encoding"] = encoding
end
