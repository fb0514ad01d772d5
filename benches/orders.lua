-- wrk script: one-unit paid orders for one hot SKU, each with a unique order id.
-- wrk -t2 -c64 -d10s -s benches/orders.lua http://127.0.0.1:PORT  (env TOKEN, SKU)
local counter = 0
local thread_id = 0
local token = os.getenv("TOKEN")
local sku = os.getenv("SKU") or "LOAD-HOT"
local batch = tonumber(os.getenv("BATCH") or "1")
setup = function(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end
request = function()
  local events = {}
  for i = 1, batch do
    counter = counter + 1
    events[i] = string.format(
      '{"channel":"wrk","order_id":"W%d-%d-%d","kind":"paid","buyer":"b%d","lines":[{"sku":"%s","qty":1,"unit_price_cents":100}]}',
      thread_id, counter, math.random(1, 1000000000), counter, sku)
  end
  local body = events[1]
  if batch > 1 then body = "[" .. table.concat(events, ",") .. "]" end
  return wrk.format("POST", "/api/v1/orders",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
local non2xx = 0
response = function(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end
