// The platform's Node client (liveperson-functions-client) calling the bridge's gateway, as a
// platform customer's service would: its access token comes from the authorization server's token
// endpoint (client credentials), given to the client as its authStrategy, and the gateway's
// address stands in for the platform's service lookup (CSDS).
// Usage: node invoke-gateway.js <gateway host:port> <token url> <lambda uuid>
const http = require('http');
const net = require('net');
const {Client} = require('liveperson-functions-client');

const [gateway, tokenUrl, lambdaUuid] = process.argv.slice(2);
const [host, port] = gateway.split(':');

// The client builds its url from a host name alone (the platform's gateways answer on the default
// port): its HTTP connections to that host go to the gateway's port instead.
const connect = http.globalAgent.createConnection.bind(http.globalAgent);
http.globalAgent.createConnection = (options, callback) =>
  options.host === host ? net.createConnection({host, port: Number(port)}, callback) : connect(options, callback);

async function bearerToken() {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: {'Content-Type': 'application/x-www-form-urlencoded'},
    body: 'grant_type=client_credentials&client_id=crm-service&client_secret=crm-secret',
  });
  if (!response.ok) {
    throw new Error('token endpoint answered ' + response.status);
  }
  return 'Bearer ' + (await response.json()).access_token;
}

const client = new Client(
  {accountId: 'local', authStrategy: bearerToken, protocol: 'http', failOnErrorStatusCode: true},
  {getCsdsEntry: async () => host},
);

client
  .invoke({
    lambdaUuid,
    externalSystem: 'node-client-test',
    body: {headers: [{key: 'X-Caller', value: 'node'}], payload: {conversationId: 'conv-node', arguments: ['7']}},
  })
  .then(response => console.log(JSON.stringify({ok: response.ok, status: response.status, body: response.body})))
  .catch(error => {
    console.error(error);
    process.exit(1);
  });
