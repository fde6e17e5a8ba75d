"""The Gemma chat format, given to tokenizers that ship without a template.

The embedded Gemma 3 270M is the *base* model and its GGUF carries no chat template;
the tiny test model has none either. Both get this one, so training data, lm-eval's
``apply_chat_template`` and the judges all format turns the same way. A system message
is folded into the first user turn, as Gemma's own template does.
"""

GEMMA_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- set first_user_prefix = messages[0]['content'] + '\\n\\n' -%}"
    "{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}"
    "{%- set first_user_prefix = '' -%}"
    "{%- set loop_messages = messages -%}"
    "{%- endif -%}"
    "{%- for message in loop_messages -%}"
    "{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}"
    "{{ '<start_of_turn>' + role + '\\n' }}"
    "{{ ((first_user_prefix if loop.first else '') + message['content']) | trim }}"
    "{{ '<end_of_turn>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\\n' }}{%- endif -%}"
)

END_OF_TURN = "<end_of_turn>"
