// Greeting (no event), V1: "Hello World". A function of no event is invoked through the gateway,
// by its UUID, or locally: java -jar target/functions-bridge.jar invoke greeting
function lambda(input, callback) {
  const name = (input.payload && input.payload.name) || 'World';
  callback(null, 'Hello ' + name + '!');
}
