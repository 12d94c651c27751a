package io.functionsbridge.bench;

/** One way of doing the job: read events from a topic, call the function, write its output to another. */
interface Arm {

    String name();

    /** Whether it keeps each conversation's order (its order violations must be 0). */
    boolean claimsOrdering();

    /** Starts consuming {@code in} (already holding the backlog) and writing to {@code out}. */
    Running start(String bootstrap, String in, String out, String functionUrl, Workload workload) throws Exception;

    /** A started arm. */
    interface Running extends AutoCloseable {
        @Override
        void close() throws Exception;

        /** CPU time the processes it started have used so far (the bridge's Node.js, for its lambdas): theirs is the arm's too. */
        default long childCpuNanos() {
            return 0;
        }
    }
}
