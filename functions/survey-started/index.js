// Messaging Survey Started (surveybot_messaging_survey_started), V2. The payload names the survey:
// conversationId, accountId, surveyId, skillId. The result is read and counted, not executed.
async function lambda(input) {
  const { conversationId, surveyId } = input.payload;
  console.info('survey', surveyId, 'started in conversation', conversationId);
  return { surveyed: conversationId };
}
