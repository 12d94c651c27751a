// Logging (no event), V1: what a lambda writes with console.* is logged by the bridge's logger
// io.functionsbridge.functions.<name>, at its level (debug, info/log, warn, error), with the
// conversation in the MDC. A run keeps at most 10 entries and 6,000 characters.
function lambda(input, callback) {
  console.debug('the whole input:', input);
  console.info('a run of the logging template');
  console.warn('something worth a look');
  console.error(new Error('something that went wrong'));
  callback(null, 'logged 4 entries');
}
