// Messaging Conversation Idle (controllerbot_messaging_conversation_idle), V1. general.cbotEventType
// says who is idle: CONV_AWAITING_IN_QUEUE, AGENT_NON_RESPONSIVE or CONSUMER_NON_RESPONSIVE.
function lambda(input, callback) {
  switch (input.payload.general.cbotEventType) {
    case 'CONSUMER_NON_RESPONSIVE':
      callback(null, [{ type: 'systemMessage', text: 'We have not heard from you, so we are closing this conversation.' },
        { type: 'closeConversation' }]);
      return;
    case 'AGENT_NON_RESPONSIVE':
      callback(null, [{ type: 'systemMessage', text: 'Sorry for the wait, your agent will be right with you.' }]);
      return;
    default:
      callback(null, [{ type: 'systemMessage', text: 'All our agents are busy; you are next in line.' }]);
  }
}
