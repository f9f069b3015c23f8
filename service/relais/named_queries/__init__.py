"""Named queries: the catalogue of queries/*.rq and the one way to run one."""
