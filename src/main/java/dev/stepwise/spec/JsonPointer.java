package dev.stepwise.spec;

/** RFC 6901 JSON pointers, the way findings name a place inside a document. */
public final class JsonPointer {
    private JsonPointer() {
    }

    public static String child(String parent, String key) {
        if (key.indexOf('~') < 0 && key.indexOf('/') < 0) {
            return parent + "/" + key;
        }
        return parent + "/" + key.replace("~", "~0").replace("/", "~1");
    }

    public static String child(String parent, int index) {
        return parent + "/" + index;
    }

    /** The pointer one level up, or "" for the root. */
    public static String parent(String pointer) {
        int slash = pointer.lastIndexOf('/');
        return slash <= 0 ? "" : pointer.substring(0, slash);
    }

    /** The last reference token, unescaped; "" for the root. */
    public static String lastToken(String pointer) {
        int slash = pointer.lastIndexOf('/');
        String token = slash < 0 ? pointer : pointer.substring(slash + 1);
        return token.replace("~1", "/").replace("~0", "~");
    }
}
