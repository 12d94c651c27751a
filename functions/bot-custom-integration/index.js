// Third-Party Bots Custom Integration (bot_connectors_custom_integration), V2: the bot connector
// sends the consumer's message and the bot's context; the result is the bot's answer,
// {messages: [...], context: {...}}.
async function lambda(input) {
  const { message, context } = input.payload;
  return { messages: ['You said: ' + (message || '')], context: { turn: ((context && context.turn) || 0) + 1 } };
}
