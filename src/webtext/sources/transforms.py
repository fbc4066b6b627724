"""The sources stages as Beam transforms: read submissions, select links."""

from typing import Any, NamedTuple

import apache_beam as beam

from webtext.records import DamagedInput
from webtext.sources.links import LINKS_STAGE, SELECT_STAGE, from_url_list, linked, selected
from webtext.sources.parse_file import LineCount, parsed_file
from webtext.sources.reddit_api import INFO_BATCH, Listing, connect, current_scores, listing_submissions
from webtext.sources.settings import LinkRules
from webtext.sources.submissions import STAGE as READ_STAGE
from webtext.stagekit import DROPS, classify, route

LINE_COUNTS = "line_counts"
DAMAGED = "damaged"


class _ParseFile(beam.DoFn):
    """Stream one file and parse each line where it is read: raw lines never cross a shuffle.

    Besides submissions and drops it emits the file's line count, which is the
    read stage's independent "in" count.
    """

    def __init__(self, url_lists: bool, max_line_bytes: int = LinkRules.max_line_bytes):
        self._url_lists, self._max_line_bytes = url_lists, max_line_bytes

    def process(self, path: str):
        for outcome in parsed_file(path, self._url_lists, self._max_line_bytes):
            if isinstance(outcome, LineCount):
                yield beam.pvalue.TaggedOutput(LINE_COUNTS, outcome.lines)
            elif isinstance(outcome, DamagedInput):
                yield beam.pvalue.TaggedOutput(DAMAGED, outcome)
            else:
                yield route(READ_STAGE, outcome)


class ReadOutputs(NamedTuple):
    line_counts: object  # PCollection[int]: lines per file, the read stage's "in" count
    submissions: object  # PCollection[Submission]
    drops: object  # PCollection[Drop]
    damaged: object  # PCollection[DamagedInput]: files that could not be read to their end


class ReadSubmissions(beam.PTransform):
    """File paths -> ReadOutputs (line counts, submissions, drops, damaged files). Each file is streamed by
    one worker."""

    def __init__(self, url_lists: bool = False, max_line_bytes: int = LinkRules.max_line_bytes):
        super().__init__()
        self._url_lists, self._max_line_bytes = url_lists, max_line_bytes

    def expand(self, paths):
        parse = beam.ParDo(_ParseFile(self._url_lists, self._max_line_bytes)).with_outputs(
            DROPS, LINE_COUNTS, DAMAGED, main="kept")
        results = paths | "Spread" >> beam.Reshuffle() | "Parse" >> parse  # one file per worker
        return ReadOutputs(results[LINE_COUNTS], results.kept, results[DROPS], results[DAMAGED])


class Selected(NamedTuple):
    counted: Any  # (canonical URL, Submission): the submissions that count
    grouped: Any  # (canonical URL, [Submission, ...]): the same, by link
    links: Any  # Link
    select_drops: Any  # Drop, stage select
    link_drops: Any  # Drop, stage links


class SelectLinks(beam.PTransform):
    """Submissions -> Selected. `rescore_with`: (user agent, Reddit API URL) to refresh the counted
    submissions' scores through the Reddit API before the karma rule, or None."""

    def __init__(self, rules: LinkRules, rescore_with: tuple[str, str] | None = None):
        super().__init__()
        self._rules, self._rescore_with = rules, rescore_with

    def expand(self, submissions):
        rules = self._rules
        counted, select_drops = classify(submissions, "Select", SELECT_STAGE, lambda s: selected(s, rules))
        if self._rescore_with:
            counted = counted | "Rescore" >> RescoreSubmissions(*self._rescore_with)
        grouped = counted | "ByURL" >> beam.GroupByKey()
        links, link_drops = classify(grouped, "Build", LINKS_STAGE, lambda item: linked(*item, rules))
        return Selected(counted, grouped, links, select_drops, link_drops)


class _ListingFn(beam.DoFn):
    def __init__(self, user_agent: str, api_url: str):
        self._user_agent, self._api_url = user_agent, api_url

    def setup(self):
        self._reddit = connect(self._user_agent, self._api_url)  # credentials: environment or praw.ini

    def process(self, spec: str):
        yield from listing_submissions(self._reddit, Listing.parse(spec))


class ReadRedditListings(beam.PTransform):
    """Listing specs -> submissions, through praw."""

    def __init__(self, user_agent: str, api_url: str = ""):
        super().__init__()
        self._user_agent, self._api_url = user_agent, api_url

    def expand(self, specs):
        return specs | "Listings" >> beam.ParDo(_ListingFn(self._user_agent, self._api_url))


class _RescoreFn(beam.DoFn):
    def __init__(self, user_agent: str, api_url: str):
        self._user_agent, self._api_url = user_agent, api_url

    def setup(self):
        self._reddit = connect(self._user_agent, self._api_url)

    def process(self, batch):
        scores = current_scores(self._reddit, sorted({sub.id for _, sub in batch if not from_url_list(sub)}))
        for key, sub in batch:
            yield key, sub._replace(score=scores.get(sub.id, sub.score))


class RescoreSubmissions(beam.PTransform):
    """(URL, submission) -> the same with today's score from the API (unchanged where the API has none)."""

    def __init__(self, user_agent: str, api_url: str = ""):
        super().__init__()
        self._user_agent, self._api_url = user_agent, api_url

    def expand(self, counted):
        return (counted
                | "Batch100" >> beam.BatchElements(min_batch_size=1, max_batch_size=INFO_BATCH)
                | "Rescore" >> beam.ParDo(_RescoreFn(self._user_agent, self._api_url)))
