"""What users do, each as one function shared by the CLI, the web service and the flows: the
workspace (plans folder plus store), check-ins and their follow-ups, chasing, digests."""
