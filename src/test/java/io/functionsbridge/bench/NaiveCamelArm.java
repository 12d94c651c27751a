package io.functionsbridge.bench;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The floor: the plain Camel route kafka -> http -> kafka, one record at a time as camel-kafka
 * hands them over (with the same retry policy), which is how a Kafka Connect HTTP sink or an
 * ordered Knative KafkaSource behaves too.
 */
final class NaiveCamelArm implements Arm {

    @Override
    public String name() {
        return "naive camel route";
    }

    @Override
    public boolean claimsOrdering() {
        return true;
    }

    @Override
    public Running start(String bootstrap, String in, String out, String functionUrl, Workload workload) throws Exception {
        CamelContext context = new DefaultCamelContext();
        KafkaComponent kafka = new KafkaComponent();
        kafka.getConfiguration().setBrokers(bootstrap);
        context.addComponent("kafka", kafka);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler().maximumRedeliveries(3).redeliveryDelay(Benchmark.RETRY_BACKOFF_MS)
                        .useExponentialBackOff().asyncDelayedRedelivery().logExhausted(false).logRetryAttempted(false));
                from("kafka:" + in + "?groupId=" + in + "-naive&autoOffsetReset=earliest")
                        .routeId("naive")
                        .setProperty("key", header("kafka.KEY"))
                        .process(exchange -> exchange.getMessage().setBody("{\"timestamp\":" + System.currentTimeMillis()
                                + ",\"headers\":[],\"payload\":" + exchange.getMessage().getBody(String.class) + "}"))
                        .removeHeaders("*")
                        .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                        .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                        .to("vertx-http:" + functionUrl)
                        .removeHeaders("*")
                        .setHeader("kafka.KEY", exchangeProperty("key"))
                        .to("kafka:" + out);
            }
        });
        context.start();
        return context::stop;
    }
}
