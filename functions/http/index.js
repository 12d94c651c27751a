// HTTP (no event), V2: a request with the global fetch. Only the hosts of settings.json's whitelist
// can be reached; any other is refused inside the lambda.
async function lambda(input) {
  const url = process.env.STATUS_URL;
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    throw new Error('the status page answered ' + response.status);
  }
  const status = await response.json();
  return { url, status };
}
