package dev.stepwise.spec;

/**
 * A place in a source file: 1-based line and column, as editors and {@code ::error file=,line=,col=} annotations
 * count them. A location with line 0 names the whole file.
 */
public record Location(String file, int line, int column) {

    public static Location ofFile(String file) {
        return new Location(file, 0, 0);
    }

    public boolean hasLine() {
        return line > 0;
    }

    @Override
    public String toString() {
        return hasLine() ? file + ":" + line + ":" + column : file;
    }
}
