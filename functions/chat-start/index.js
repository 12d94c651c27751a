// Chat Start (chat_start), V2: an agent accepted the chat.
async function lambda(input) {
  console.info('chat', input.payload.chatSessionKey, 'taken by agent', input.payload.agentId);
  return { started: input.payload.chatSessionKey };
}
