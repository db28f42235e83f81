package dev.stepwise.webhook;

import dev.stepwise.git.RemoteUrl;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps pushes to the tracked sources they concern, by repository (compared by {@link RemoteUrl#key()}, so the https
 * URL in a payload matches an ssh URL in Stepwise's configuration) and branch, and triggers an immediate poll of each.
 */
public final class WebhookTriggers implements PushListener {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookTriggers.class);

    private record Registration(String key, String branch, String description, Runnable trigger) {
    }

    private final List<Registration> registrations = new CopyOnWriteArrayList<>();

    /**
     * @param trigger starts a poll without waiting for it (e.g. {@code SourcePoller::trigger})
     */
    public void register(RemoteUrl url, String branch, Runnable trigger) {
        Objects.requireNonNull(trigger, "trigger");
        registrations.add(new Registration(url.key(), branch, url + " " + branch, trigger));
    }

    @Override
    public int onPush(PushEvent event) {
        List<String> keys = event.repositoryUrls().stream().map(RemoteUrl::key).filter(k -> !k.isEmpty()).toList();
        List<Registration> hits = new ArrayList<>();
        for (Registration r : registrations) {
            if (keys.contains(r.key()) && event.branch().map(r.branch()::equals).orElse(false)) {
                hits.add(r);
            }
        }
        for (Registration r : hits) {
            LOG.info("webhook {}{}: push to {} triggers a poll of {}", event.forge(),
                    event.deliveryId().isEmpty() ? "" : " delivery " + event.deliveryId(), event.ref(), r.description());
            r.trigger().run();
        }
        return hits.size();
    }
}
