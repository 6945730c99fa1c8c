package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * What a report page may contain whatever the results folder held: only characters a page may hold,
 * only the elements and attributes the template and JFreeSVG write, one script element and that one
 * inert JSON, unique ids, and links that go nowhere but within the page and to the CSV beside it. Text from a results folder can then
 * only ever be text; a payload that became markup would add an element, an attribute or a link.
 */
final class PageSafety {

    /**
     * The template's elements and those JFreeSVG draws charts with (as jsoup normalises names), less
     * {@code <image>}: no chart draws one, and its {@code xlink:href} could load anything.
     */
    static final Set<String> TAGS = Set.of(
            "html",
            "head",
            "meta",
            "title",
            "style",
            "body",
            "header",
            "nav",
            "section",
            "h1",
            "h2",
            "h3",
            "p",
            "code",
            "time",
            "span",
            "strong",
            "div",
            "ul",
            "li",
            "a",
            "table",
            "caption",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "figure",
            "figcaption",
            "details",
            "summary",
            "dl",
            "dt",
            "dd",
            "script",
            "svg",
            "g",
            "defs",
            "clippath",
            "path",
            "rect",
            "line",
            "text",
            "ellipse",
            "lineargradient",
            "radialgradient",
            "stop");

    static final Set<String> ATTRIBUTES = Set.of(
            "lang",
            "charset",
            "name",
            "content",
            "id",
            "class",
            "href",
            "title",
            "type",
            "datetime",
            "data-run-id",
            "data-runs",
            "data-verdict",
            "xmlns",
            "xmlns:xlink",
            "xmlns:jfreesvg",
            "width",
            "height",
            "viewbox",
            "style",
            "transform",
            "clip-path",
            "d",
            "x",
            "y",
            "x1",
            "y1",
            "x2",
            "y2",
            "cx",
            "cy",
            "r",
            "rx",
            "ry",
            "fx",
            "fy",
            "fill-rule",
            "text-rendering",
            "preserveaspectratio",
            "gradientunits",
            "spreadmethod",
            "offset",
            "stop-color",
            "stop-opacity");

    private static final Pattern CLIP_PATH = Pattern.compile("url\\(#[a-z0-9-]+\\)");
    private static final Pattern SCHEME = Pattern.compile("^\\s*[A-Za-z][A-Za-z0-9+.-]*:");

    private PageSafety() {}

    /** Asserts every rule of the class comment on {@code html}; returns the parsed page. */
    static Document assertSafe(String html) {
        assertThat(html.codePoints()
                        .filter(c -> Page.invalidInHtml(c) || Character.isSurrogate((char) c))
                        .boxed())
                .as("characters an HTML page may not hold (a parser may stop at them)")
                .isEmpty();
        Document page = Jsoup.parse(html);
        Set<String> ids = new HashSet<>();
        for (Element element : page.getAllElements()) {
            if (element.equals(page)) {
                continue;
            }
            assertThat(TAGS)
                    .as("element <%s> is one the report writes", element.tagName())
                    .contains(element.normalName());
            assertThat(element.ownText()
                            .codePoints()
                            .filter(Page::invalidInHtml)
                            .boxed())
                    .as("characters decoded from references in <%s>", element.tagName())
                    .isEmpty();
            for (Attribute attribute : element.attributes()) {
                assertThat(attribute
                                .getValue()
                                .codePoints()
                                .filter(Page::invalidInHtml)
                                .boxed())
                        .as("characters decoded from references in %s", attribute.getKey())
                        .isEmpty();
                String name = attribute.getKey().toLowerCase(Locale.ROOT);
                assertThat(ATTRIBUTES)
                        .as("attribute '%s' of <%s> is one the report writes", name, element.tagName())
                        .contains(name);
                assertThat(name).doesNotStartWith("on");
            }
            if (element.hasAttr("id")) {
                assertThat(ids.add(element.id()))
                        .as("id '%s' is unique on the page", element.id())
                        .isTrue();
            }
            if (element.hasAttr("clip-path")) {
                assertThat(element.attr("clip-path")).matches(CLIP_PATH);
            }
            if (element.hasAttr("style")) {
                assertThat(element.attr("style")).doesNotContain("url(").doesNotContain("expression(");
            }
        }
        for (Element link : page.select("[href]")) {
            String href = link.attr("href");
            if (href.startsWith("#")) {
                assertThat(page.getElementById(href.substring(1)))
                        .as("the target of link %s", href)
                        .isNotNull();
            } else {
                assertThat(link.id())
                        .as("the only link out of the page is the CSV's: %s", href)
                        .isEqualTo("csv");
                assertThat(href).as("the CSV link is a relative path").doesNotContainPattern(SCHEME);
            }
        }
        List<Element> scripts = page.select("script");
        assertThat(scripts).as("script elements").hasSize(1);
        assertThat(scripts.get(0).id()).isEqualTo("lowbit-data");
        assertThat(scripts.get(0).attr("type")).isEqualTo("application/json");
        try {
            new ObjectMapper().readTree(scripts.get(0).data());
        } catch (Exception e) {
            throw new AssertionError("the embedded data is not JSON: " + e.getMessage(), e);
        }
        assertThat(page.select("style")).as("style elements").hasSize(1);
        assertThat(page.selectFirst("style").parent().tagName()).isEqualTo("head");
        return page;
    }
}
