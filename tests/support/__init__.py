"""Support code for the tests (and the benchmarks), not part of the installed ``babelbench``
package: servers run on loopback -- an OpenAI-protocol judge endpoint and fault proxy
(:mod:`tests.support.openai_loopback`) and a Hugging Face Hub-protocol server
(:mod:`tests.support.hub_loopback`), both over the asyncio HTTP/1.1 server in
:mod:`tests.support.http_server` -- and other helpers such as :mod:`tests.support.import_graph`."""
