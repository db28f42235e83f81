package dev.stepwise.cluster;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the requests a client sends, reads and writes apart (for the benchmark and for operators' metrics). */
public final class RequestCounter implements Interceptor {
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        (request.method().equals("GET") ? reads : writes).incrementAndGet();
    }

    public long reads() {
        return reads.get();
    }

    public long writes() {
        return writes.get();
    }

    public long total() {
        return reads.get() + writes.get();
    }
}
