// Third-Party Bots Error Hook (bot_connectors_error_hook), V1: called when the bot fails; the result
// is what to tell the consumer instead.
function lambda(input, callback) {
  console.error('the bot failed in conversation', input.payload.conversationId, 'with', input.payload.errorCode);
  callback(null, { message: 'Sorry, something went wrong; an agent will take over.' });
}
