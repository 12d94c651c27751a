// Third-Party Bots Post Hook (bot_connectors_post_hook), V2: called after the vendor answered; the
// result is the answer to send.
async function lambda(input) {
  const messages = (input.payload.messages || []).map((message) => String(message).trim()).filter((message) => message.length > 0);
  return Object.assign({}, input.payload, { messages });
}
