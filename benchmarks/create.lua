-- wrk script: CreateConnectionGroup with a fresh name every time, in the account given as the first argument.
local counter = 0
local prefix = "x"
local account = "123456789012"

function init(args)
  prefix = args[1] or prefix
  account = args[2] or account
end

function request()
  counter = counter + 1
  local body = '<CreateConnectionGroupRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Name>'
    .. prefix .. "-" .. counter .. "</Name></CreateConnectionGroupRequest>"
  return wrk.format("POST", "/2020-05-31/connection-group", {
    ["Content-Type"] = "application/xml",
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=" .. account .. "/20261124/us-east-1/cloudfront/aws4_request",
  }, body)
end
