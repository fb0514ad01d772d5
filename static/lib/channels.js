/* livestock: a channel's name as a person says it, for every page (the board's sync notice,
 * the report pages). */
import { lang } from "./i18n.js";

const CHANNEL_ZH = {
  douyin: "抖音",
  kuaishou: "快手",
  taobao: "淘宝",
  tmall: "天猫",
  jd: "京东",
  pdd: "拼多多",
  pinduoduo: "拼多多",
  xiaohongshu: "小红书",
  weixin: "视频号",
  wechat: "视频号",
  offline: "线下",
};

/** 抖音, 快手… in Chinese; the code in English; "—" for none. */
export function channelName(c) {
  if (!c) return "—";
  return lang === "en" ? String(c) : CHANNEL_ZH[c] || String(c);
}
