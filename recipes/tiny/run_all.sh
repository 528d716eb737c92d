#!/usr/bin/env bash
# Hardware: CPU (2 cores), about 5 minutes; no GPU, no downloads.
# Every tiny stage from a clean checkout, in order: synthetic data, proxy data (oracle teacher), the tiny base
# checkpoint, then stages 1 -> 2 -> 3. Run from the repository root:  bash recipes/tiny/run_all.sh
set -euo pipefail

# Data: 24 synthetic clips (64x64, 32 frames), PD / SD / FGQA with the exact oracle teacher, QA from the captions.
actionart-hf synth --out outputs/synth --num-videos 24 --splits train=16,test=8 --resolution 64 --num-frames 32 --overwrite
actionart-hf proxy pd --source synthetic --source-dir outputs/synth --teacher oracle --out outputs/proxy/pd --overwrite
actionart-hf proxy sd --source synthetic --source-dir outputs/synth --teacher oracle --out outputs/proxy/sd --overwrite
actionart-hf proxy fgqa --source synthetic --source-dir outputs/synth --teacher oracle --num-videos 16 --size 64x64 \
    --out outputs/proxy/fgqa --overwrite
actionart-hf proxy caption-qa --captions outputs/synth --teacher oracle --out outputs/proxy/caption-qa --overwrite

# The tiny base model (random weights, a tokenizer over the data's words).
python -m actionart_hf.training.tiny_base --out outputs/tiny/base --overwrite

# Stage 1, the four stage-2 mixtures of Table 2, stage 3 from the proxy model and from the baseline, and LoRA.
actionart-hf train recipes/tiny/stage1_video_sft/config_tiny.yaml
for mixture in fgqa pd_fgqa sd_fgqa pd_sd_fgqa; do
    actionart-hf train "recipes/tiny/stage2_proxy/config_${mixture}.yaml"
done
actionart-hf train recipes/tiny/stage3_manual/config_from_proxy.yaml
actionart-hf train recipes/tiny/stage3_manual/config_manual_only.yaml
actionart-hf train recipes/tiny/stage3_manual/config_from_proxy_lora.yaml
