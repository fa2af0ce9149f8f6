// Texts of the audit pages.
export default {
  'zh-CN': {},
  'en-US': {},
}
