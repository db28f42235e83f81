package dev.stepwise.cluster;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Records every request Stepwise's client sends (method and path), for the RBAC check and request counts. */
public final class RequestLog implements Interceptor {
    public record Request(String method, String path, String query) {
        @Override
        public String toString() {
            return method + " " + path + (query == null ? "" : "?" + query);
        }
    }

    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        requests.add(new Request(request.method(), request.uri().getPath(), request.uri().getQuery()));
    }

    public List<Request> all() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public int size() {
        return requests.size();
    }

    public void clear() {
        requests.clear();
    }
}
