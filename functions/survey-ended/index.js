// Messaging Survey Ended (surveybot_messaging_survey_ended), V1: the same payload with the survey's
// dialogs ([{question, answer}]).
function lambda(input, callback) {
  const dialogs = input.payload.dialogs || [];
  const low = dialogs.filter((dialog) => Number(dialog.answer) <= 2);
  if (low.length > 0) {
    console.warn('survey', input.payload.surveyId, 'has', low.length, 'low answer(s) in conversation', input.payload.conversationId);
  }
  callback(null, { answers: dialogs.length, low: low.length });
}
