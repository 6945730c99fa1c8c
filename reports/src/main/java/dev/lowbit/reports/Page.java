package dev.lowbit.reports;

/**
 * The last step of rendering: the page may only hold characters an HTML page may. Text from a results
 * folder can hold C0/C1 controls, noncharacters such as U+FFFF and lone surrogate halves; browsers
 * call them parse errors, and some parsers stop reading the page at them (jsoup takes U+FFFF for the
 * end of its input, so everything after such a run id vanished). Each becomes U+FFFD, the replacement
 * character. The embedded JSON is unaffected: {@link Json#forScriptBlock} has escaped them there.
 */
final class Page {

    private static final char REPLACEMENT = '\uFFFD';

    private Page() {}

    /** {@code html} with every character invalid in an HTML page replaced by U+FFFD. */
    static String withValidCharacters(String html) {
        StringBuilder clean = null;
        for (int i = 0; i < html.length(); ) {
            int codePoint = html.codePointAt(i);
            int width = Character.charCount(codePoint);
            boolean invalid = invalidInHtml(codePoint) || Character.isSurrogate((char) codePoint);
            if (invalid && clean == null) {
                clean = new StringBuilder(html.length()).append(html, 0, i);
            }
            if (clean != null) {
                if (invalid) {
                    clean.append(REPLACEMENT);
                } else {
                    clean.appendCodePoint(codePoint);
                }
            }
            i += width;
        }
        return clean == null ? html : clean.toString();
    }

    /**
     * Whether {@code codePoint} is a control other than ASCII white space, or a noncharacter
     * (U+FDD0 to U+FDEF, and the last two code points of every plane), as the HTML standard lists them.
     */
    static boolean invalidInHtml(int codePoint) {
        boolean whitespace = codePoint == '\t' || codePoint == '\n' || codePoint == '\f' || codePoint == '\r';
        boolean control = (codePoint < 0x20 && !whitespace) || (codePoint >= 0x7F && codePoint <= 0x9F);
        boolean noncharacter = (codePoint >= 0xFDD0 && codePoint <= 0xFDEF) || (codePoint & 0xFFFE) == 0xFFFE;
        return control || noncharacter;
    }
}
