// Third-Party Bots Pre Hook (bot_connectors_pre_hook), V1: called before the bot vendor gets the
// consumer's message; the result is the message to pass on.
function lambda(input, callback) {
  const payload = Object.assign({}, input.payload);
  payload.message = String(payload.message || '').replace(/\b\d{13,19}\b/g, '[card number]');
  callback(null, payload);
}
