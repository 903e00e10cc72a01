"""One module per OpenAI action: a validated request in, the OpenAI call, a result out.

Handlers know their action and the OpenAI SDK; they know nothing of Bolt or SQL.
"""
