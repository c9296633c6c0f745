"""`newswatch backfill`: history from WARC archives, through the run's own text → NLP → store.

warc.py      FastWARC reading: response records, problems named (not a page, too
             large, truncated, a corrupt file)
steps.py     per record: payload → text stage (pipeline.run.article_from_page) →
             NLP (pipeline.process.extract_articles), outcomes in record order
engines.py   where steps run: `local` (this machine, [nlp] n_process workers) or
cluster.py   `dask` (dask.distributed: a LocalCluster or --scheduler ADDRESS)
writer.py    the one writer: pipeline.run.store_article + the ledger, a batch per
             transaction (storage/backfill_ledger.py holds the ledger's SQL)
job.py       one backfill: files → records not done yet → engine → writer
progress.py  counts, the summary line, rich progress at a terminal
"""

from pipeline.backfill.job import BackfillOptions, backfill
from pipeline.backfill.progress import BackfillSummary
from pipeline.backfill.warc import warc_files

__all__ = ["BackfillOptions", "BackfillSummary", "backfill", "warc_files"]
