// Messaging Conversation End (controllerbot_messaging_conversation_end), V2: an async lambda whose
// value is the result. end.closeReason says who closed it (AGENT, CONSUMER, SYSTEM).
async function lambda(input) {
  const closedBy = input.payload.end ? input.payload.end.closeReason : 'SYSTEM';
  if (closedBy === 'SYSTEM') {
    // no systemMessage: the automatic message (if enabled) is sent
    return [];
  }
  return [{ type: 'systemMessage', text: 'Thank you for contacting us. Have a great day!' }];
}
