"""guard — keeps Pinduoduo merchants' customer-service chat inside the platform's rules.

    >>> from guard import Guard
    >>> Guard().check("亲，加我微信聊").verdict
    'block'
"""

from guard.engine import Guard
from guard.lexicon import LexiconError
from guard.verdict import Finding, Verdict

__all__ = ["Finding", "Guard", "LexiconError", "Verdict"]
__version__ = "0.1.0"
