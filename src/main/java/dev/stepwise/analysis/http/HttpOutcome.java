package dev.stepwise.analysis.http;

import dev.stepwise.analysis.MeasurementError;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/** A provider request's outcome: a response read whole (within the size limit), or why there is none. */
public sealed interface HttpOutcome permits HttpOutcome.Response, HttpOutcome.Failure {

    record Response(int status, HttpHeaders headers, byte[] body) implements HttpOutcome {
        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The start of the body, single-lined, for error messages (the caller redacts it). */
        public String snippet(int max) {
            String t = text().replaceAll("\\s+", " ").strip();
            return t.length() > max ? t.substring(0, max) + "…" : t;
        }
    }

    record Failure(MeasurementError error) implements HttpOutcome {
    }
}
