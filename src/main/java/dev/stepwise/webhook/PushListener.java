package dev.stepwise.webhook;

/** What the webhook endpoint hands a verified push to. Must return quickly: the forge waits for the response. */
@FunctionalInterface
public interface PushListener {

    /** @return how many tracked sources the push concerns (0: not a repository and branch Stepwise tracks) */
    int onPush(PushEvent event);
}
