// Chat In-Queue (chat_in_queue), V1. Chat events take no commands: the result is read and
// counted, not executed. Use them to start something of your own.
function lambda(input, callback) {
  const { chatSessionKey, skillId } = input.payload;
  console.info('chat', chatSessionKey, 'waits in the queue', skillId ? 'of skill ' + skillId : '');
  callback(null, { queued: chatSessionKey });
}
