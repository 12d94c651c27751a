package io.functionsbridge;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;

/**
 * Starts what a bean of {@code routes/beans.camel.yaml} runs (threads, clients, file watchers) with
 * the Camel context. Camel Main creates those beans twice, once when it reads the files early for
 * its configuration and once with the routes, and keeps the second: only the bean its registry
 * holds when the context starts is started, so that nothing of the first runs unstopped. A bean
 * created once the context runs (the main job reloading an edited beans file) starts at once.
 */
public final class BeanLifecycle {

    /** What starts a bean. */
    @FunctionalInterface
    public interface Start {
        void run() throws Exception;
    }

    private BeanLifecycle() {
    }

    /**
     * Runs {@code start} as the context starts, before its routes consume, if {@code bean} is the
     * one its registry holds then; or at once, when the context has started already.
     */
    public static void startWithContext(CamelContext context, Object bean, Start start) throws Exception {
        start(context, bean, start, false);
    }

    /**
     * Likewise, once the context and its services (Camel's HTTP servers among them) have started.
     */
    public static void startAfterContext(CamelContext context, Object bean, Start start) throws Exception {
        start(context, bean, start, true);
    }

    private static void start(CamelContext context, Object bean, Start start, boolean afterStart) throws Exception {
        if (context.isStarted()) {
            start.run();
            return;
        }
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext camelContext, boolean alreadyStarted) throws Exception {
                if (!afterStart && holds(camelContext, bean)) {
                    start.run();
                }
            }

            @Override
            public void onCamelContextStarted(CamelContext camelContext, boolean alreadyStarted) throws Exception {
                if (afterStart && holds(camelContext, bean)) {
                    start.run();
                }
            }
        });
    }

    private static boolean holds(CamelContext context, Object bean) {
        return context.getRegistry().findByType(bean.getClass()).stream().anyMatch(held -> held == bean);
    }
}
