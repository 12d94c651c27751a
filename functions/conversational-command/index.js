// Conversational Command (conversational_command), V1: invoked through the gateway when an agent
// types "/" and a command. The payload: conversationId, command, arguments[]. The result goes back
// to the agent as it is.
function lambda(input, callback) {
  const args = input.payload.arguments || [];
  if (args.length === 0) {
    callback(null, 'Usage: /order <order number>');
    return;
  }
  callback(null, 'Order ' + args[0] + ' was shipped yesterday.');
}
