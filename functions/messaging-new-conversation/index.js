// Messaging New Conversation (controllerbot_messaging_new_conversation), V1: callback(error, result).
// The payload's general.cbotEventType says which opening it is (first time, off hours...); the
// result is the commands to run: a systemMessage, a transfer, a closeConversation. With no
// systemMessage in it, the account's automatic message is sent instead.
function lambda(input, callback) {
  const { general, start } = input.payload;
  const firstTime = (start && start.firstConversation) || /FIRST_TIME/.test(general.cbotEventType);
  const offHours = general.inOffHours || /OFF_HOURS/.test(general.cbotEventType);
  let text = firstTime ? 'Welcome! Thanks for reaching out for the first time.' : 'Welcome back!';
  if (offHours) {
    text += ' We are closed right now and will answer as soon as we are back.';
  }
  callback(null, [{ type: 'systemMessage', text }]);
}
