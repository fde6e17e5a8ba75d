from babelbench.train.tokenize import IGNORE_INDEX, tokenize_example


def test_prompt_tokens_are_masked(tiny_model):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    prompt, response = "<bos><start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n", "hello<end_of_turn>\n"
    n_prompt = len(tok(prompt, add_special_tokens=False)["input_ids"])
    out = tokenize_example(tok, prompt, response, max_length=512, train_on_prompt=False)
    assert out["labels"][:n_prompt] == [IGNORE_INDEX] * n_prompt
    assert out["labels"][n_prompt:] == out["input_ids"][n_prompt:]
    assert out["input_ids"][0] == tok.bos_token_id  # BOS comes from the template, once
    assert out["input_ids"].count(tok.bos_token_id) == 1
    everything = tokenize_example(tok, prompt, response, max_length=512, train_on_prompt=True)
    assert everything["labels"] == everything["input_ids"]
    short = tokenize_example(tok, prompt, response, max_length=5, train_on_prompt=False)
    assert len(short["input_ids"]) == len(short["labels"]) == 5
