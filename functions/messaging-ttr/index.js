// Messaging TTR (controllerbot_messaging_ttr), V1: the time to response changed. ttr.oldTtr and
// ttr.newTtr are {ttrType: NORMAL | URGENT | PRIORITIZED, value: seconds}.
function lambda(input, callback) {
  const ttr = input.payload.ttr || {};
  if (ttr.newTtr && ttr.newTtr.ttrType === 'URGENT') {
    const minutes = Math.max(1, Math.round(ttr.newTtr.value / 60));
    callback(null, [{ type: 'systemMessage', text: 'Marked as urgent: an agent will answer within ' + minutes + ' minutes.' }]);
    return;
  }
  callback(null, []);
}
