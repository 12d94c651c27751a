// Chat End (chat_end), V1.
function lambda(input, callback) {
  console.info('chat', input.payload.chatSessionKey, 'ended:', input.payload.endReason || 'unknown');
  callback(null, { ended: input.payload.chatSessionKey });
}
