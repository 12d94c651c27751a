// Secret Storage (no event), V2: the secrets of settings.json, read and updated through the
// Toolbelt's SecretClient. An update is written back to settings.json.
import { Toolbelt } from 'core-functions-toolbelt';

const secrets = Toolbelt.SecretClient();

async function lambda(input) {
  const { value } = await secrets.readSecret('visits');
  const visits = Number(value || 0) + 1;
  await secrets.updateSecret({ key: 'visits', value: String(visits) });
  return { visits };
}
